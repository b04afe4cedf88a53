// Moderation queue shortcuts; the queue works fully without this file.
// j / k: next / previous item; x: select it; a: approve; r: restore; d: dismiss flags;
// h: focus the hide reason (then Tab to "Hide").
document.addEventListener("DOMContentLoaded", () => {
  const items = Array.from(document.querySelectorAll(".queue-item"));
  if (!items.length) return;
  let current = -1;
  const focus = (i) => {
    current = Math.max(0, Math.min(items.length - 1, i));
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  };
  document.addEventListener("keydown", (event) => {
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "textarea", "select"].includes(tag) || event.ctrlKey || event.metaKey || event.altKey) return;
    const item = items[current];
    if (event.key === "j") focus(current + 1);
    else if (event.key === "k") focus(current - 1);
    else if (!item) return;
    else if (event.key === "x") item.querySelector("input[type=checkbox]")?.click();
    else if (event.key === "h") { event.preventDefault(); item.querySelector("[data-key=h]")?.focus(); }
    else if (["a", "r", "d"].includes(event.key)) item.querySelector(`[data-key=${event.key}]`)?.click();
    else return;
  });
});
