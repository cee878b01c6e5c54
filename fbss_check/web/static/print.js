// Progressive enhancement: a Print button for the summary page. Without JavaScript the
// page says how to print from the browser's menu.
document.querySelectorAll(".js-print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
