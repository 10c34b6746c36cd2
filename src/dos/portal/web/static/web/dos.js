// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // The region/city switch navigates as soon as a choice is made.
  for (const form of document.querySelectorAll("[data-city-switch]")) {
    const select = form.querySelector("select");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      window.location.assign(select.value);
    });
    select.addEventListener("change", () => window.location.assign(select.value));
  }
});
