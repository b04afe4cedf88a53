// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the main region after "skip to content".
  document.querySelectorAll("a.skip-link").forEach((link) => {
    link.addEventListener("click", () => document.getElementById("main")?.focus());
  });
});

// After the watch control replaced itself (htmx), give focus back to its button.
document.addEventListener("htmx:afterSettle", () => {
  document.querySelectorAll(".watch-control[data-saved]").forEach((control) => {
    control.removeAttribute("data-saved");
    control.querySelector("summary")?.focus();
  });
});
