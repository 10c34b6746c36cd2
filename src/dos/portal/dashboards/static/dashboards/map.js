// Sensor map: viewBox zoom (clusters when zoomed out) and live values from the event stream
// (polling latest.json where there is none, or with ?live=poll).
(function () {
  "use strict";
  var figure = document.querySelector(".sensor-map");
  if (!figure) return;
  var svg = figure.querySelector("svg");
  var width = Number(svg.dataset.width), height = Number(svg.dataset.height);
  var zoom = 1, cx = width / 2, cy = height / 2;
  var tools = document.querySelector(".map-tools");

  function draw() {
    var w = width / zoom, h = height / zoom;
    cx = Math.min(Math.max(cx, w / 2), width - w / 2);
    cy = Math.min(Math.max(cy, h / 2), height - h / 2);
    svg.setAttribute("viewBox", [cx - w / 2, cy - h / 2, w, h].map(function (v) { return v.toFixed(1); }).join(" "));
    figure.classList.toggle("zoomed", zoom > 1);
  }
  if (tools) {
    tools.hidden = false;
    tools.addEventListener("click", function (event) {
      var action = event.target.dataset && event.target.dataset.zoom;
      if (action === "in") zoom = Math.min(zoom * 2, 16);
      else if (action === "out") zoom = Math.max(zoom / 2, 1);
      else if (action === "reset") { zoom = 1; cx = width / 2; cy = height / 2; }
      draw();
    });
  }
  svg.addEventListener("click", function (event) {
    if (zoom >= 16) return;
    var box = svg.getBoundingClientRect(), view = svg.viewBox.baseVal;
    cx = view.x + (event.clientX - box.left) / box.width * view.width;
    cy = view.y + (event.clientY - box.top) / box.height * view.height;
    zoom = zoom * 2;
    draw();
  });

  var points = {}, rows = {};
  svg.querySelectorAll("circle[data-id]").forEach(function (c) { points[c.dataset.id] = c; });
  document.querySelectorAll("tr[data-id]").forEach(function (r) { rows[r.dataset.id] = r; });
  var status = document.querySelector("[data-live-status]");
  var english = document.documentElement.lang === "en";
  // The live channel: server-sent events fed by the broker's notifications; where the
  // browser has no EventSource or the stream fails, polling latest.json with the same cursor.
  var streams = (figure.dataset.stream || "").split(" ").filter(Boolean);
  var urls = (figure.dataset.latest || "").split(" ").filter(Boolean);
  var interval = Number(figure.dataset.interval || 15) * 1000;
  var cursors = urls.map(function () { return figure.dataset.since || ""; });

  function apply(data) {
    data.sensors.forEach(function (s) {
      var row = rows[s.id];
      if (row) {
        var cell = row.querySelector("[data-value]");
        if (cell.textContent !== s.text) cell.textContent = s.text;
      }
      var point = points[s.id];
      if (point && s.colour) {
        point.setAttribute("fill", s.colour);
        var title = point.querySelector("title");
        if (title) title.textContent = title.textContent.replace(/: [^:]*$/, ": " + s.layerText);
      }
    });
    if (status && data.sensors.length) {
      status.textContent = status.dataset.updated = (english ? "Updated: " : "Aktualisiert: ") + new Date().toLocaleTimeString();
    }
  }
  function failed() {
    if (status) status.textContent = english ? "Live update failed; retrying." : "Aktualisierung fehlgeschlagen; neuer Versuch folgt.";
  }
  function withSince(url, since) {
    return since ? url + (url.indexOf("?") < 0 ? "?" : "&") + "since=" + encodeURIComponent(since) : url;
  }
  function poll() {
    Promise.all(urls.map(function (url, i) {
      return fetch(withSince(url, cursors[i]), { headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (data) { cursors[i] = data.cursor; return data; });
    })).then(function (all) { all.forEach(apply); })
      .catch(failed)
      .finally(function () { setTimeout(poll, interval); });
  }
  function listen() {
    var broken = 0;
    streams.forEach(function (url, i) {
      var source = new EventSource(withSince(url, cursors[i]));
      source.addEventListener("values", function (event) {
        var data = JSON.parse(event.data);
        cursors[i] = data.cursor;
        apply(data);
      });
      source.addEventListener("error", function () {
        if (source.readyState !== EventSource.CLOSED) return;  // the browser reconnects itself
        broken += 1;
        failed();
        if (broken === 1) setTimeout(poll, interval);  // fall back to polling
      });
    });
  }
  if (streams.length && window.EventSource && !/[?&]live=poll/.test(location.search)) listen();
  else if (urls.length) setTimeout(poll, interval);
})();
