// «Сводка»: the page is drawn on the server; this only prints the low-stock list (the print
// stylesheet keeps that list alone on paper) and reloads the figures once a minute while the
// page is in view (a phone left on the summary stays current, a hidden tab costs nothing).
"use strict";
const summary = { everyMs: 60000, timer: null };

summary.schedule = () => {
  clearTimeout(summary.timer);
  summary.timer = setTimeout(() => {
    if (document.hidden || !storegw.mayReload()) summary.schedule();
    else window.location.reload();
  }, summary.everyMs);
};

document.addEventListener("DOMContentLoaded", () => {
  const print = document.getElementById("print-low");
  if (print) {
    print.onclick = () => {
      const stamp = new Date().toLocaleString(storegw.lang === "en" ? "en-GB" : "ru-RU");
      document.getElementById("printed-at").textContent = stamp;
      window.print();
    };
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) summary.schedule();
  });
  summary.schedule();
});
