// Idea form: similar ideas and a fitting action field while typing, and a simple map picker.
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar-url]");
  if (!form) { return; }
  var labels = JSON.parse(document.getElementById("participation-i18n").textContent);
  var title = form.querySelector("#id_title");
  var text = form.querySelector("#id_description");
  var similarBox = document.getElementById("similar-ideas");
  var fieldBox = document.getElementById("field-suggestion");
  var select = form.querySelector("#id_action_field");
  var timer = null;

  function render(data) {
    similarBox.textContent = "";
    if (data.ideas && data.ideas.length) {
      var p = document.createElement("p");
      p.textContent = labels.similar;
      var ul = document.createElement("ul");
      data.ideas.forEach(function (idea) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = idea.url; a.textContent = idea.title; a.target = "_blank";
        li.appendChild(a);
        li.appendChild(document.createTextNode(" (" + idea.status + ")"));
        ul.appendChild(li);
      });
      similarBox.appendChild(p); similarBox.appendChild(ul);
    }
    if (fieldBox) {
      fieldBox.textContent = "";
      if (data.action_fields && data.action_fields.length && select && !select.value) {
        var best = data.action_fields[0];
        fieldBox.appendChild(document.createTextNode(labels.field + " " + best.name + " "));
        var b = document.createElement("button");
        b.type = "button"; b.className = "link-button"; b.textContent = labels.use;
        b.addEventListener("click", function () { select.value = String(best.id); fieldBox.textContent = ""; });
        fieldBox.appendChild(b);
      }
    }
  }

  function ask() {
    var q = (title.value + " " + (text ? text.value : "")).trim();
    if (q.length < 4) { render({ideas: [], action_fields: []}); return; }
    var url = form.dataset.similarUrl + "?process=" + encodeURIComponent(form.dataset.process) +
      "&q=" + encodeURIComponent(q.slice(0, 1500));
    fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (data) { if (data) { render(data); } }).catch(function () {});
  }

  function later() { window.clearTimeout(timer); timer = window.setTimeout(ask, 400); }
  title.addEventListener("input", later);
  if (text) { text.addEventListener("input", later); }

  // Map picker: a plain SVG around the city centre (no tiles: works offline).
  var picker = form.querySelector("[data-map-picker]");
  if (picker) {
    picker.hidden = false;
    var lat0 = parseFloat(picker.dataset.lat), lon0 = parseFloat(picker.dataset.lon);
    var span = 0.12, svg = picker.querySelector("svg"), dot = picker.querySelector(".picker-dot");
    var latIn = form.querySelector("#id_latitude"), lonIn = form.querySelector("#id_longitude");
    function place() {
      var lat = parseFloat(latIn.value), lon = parseFloat(lonIn.value);
      if (isNaN(lat) || isNaN(lon)) { return; }
      dot.setAttribute("cx", String((lon - lon0 + span) / (2 * span) * 400));
      dot.setAttribute("cy", String((lat0 + span * 0.65 - lat) / (1.3 * span) * 260));
    }
    svg.addEventListener("click", function (e) {
      var box = svg.getBoundingClientRect();
      var x = (e.clientX - box.left) / box.width * 400, y = (e.clientY - box.top) / box.height * 260;
      lonIn.value = (lon0 - span + x / 400 * 2 * span).toFixed(5);
      latIn.value = (lat0 + span * 0.65 - y / 260 * 1.3 * span).toFixed(5);
      place();
    });
    latIn.addEventListener("change", place); lonIn.addEventListener("change", place);
    place();
  }
}());
