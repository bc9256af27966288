// 不满意 is confirmed before it is sent: the first tap shows the confirmation (and asks for the reason), the
// second sends it. Without JavaScript the server asks for the same confirmation.
document.addEventListener("click", function (event) {
  var first = event.target.closest("[data-unsatisfied]");
  var cancel = event.target.closest("[data-cancel-unsatisfied]");
  var button = first || cancel;
  if (!button) { return; }
  var form = button.closest("form");
  var panel = form.querySelector(".unsatisfied-confirm");
  var buttons = form.querySelector(".rating-buttons");
  var confirmed = panel.querySelector("input[type=hidden]");
  if (first) {
    event.preventDefault();
    buttons.hidden = true;
    panel.hidden = false;
    confirmed.disabled = false;
    var comment = form.querySelector("textarea[name=comment]");
    if (comment) { comment.required = true; comment.focus(); }
  } else {
    buttons.hidden = false;
    panel.hidden = true;
    confirmed.disabled = true;
    var text = form.querySelector("textarea[name=comment]");
    if (text) { text.required = false; }
  }
});
