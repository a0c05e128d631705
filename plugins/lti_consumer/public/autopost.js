/* Posts the launch form to the LTI tool as soon as the page is read (the button stays for no script). */
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("lti-autopost");
  if (form) { form.submit(); }
});
