// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the main region after "skip to content".
  document.querySelectorAll("a.skip-link").forEach((link) => {
    link.addEventListener("click", () => document.getElementById("main")?.focus());
  });
});
