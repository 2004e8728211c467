// Report pages: the "Print" button prints the page (the print stylesheet lays it out).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
