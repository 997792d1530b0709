// Once django-otp-webauthn's script has stored a new passkey, open the page named by the
// button's data-done-url: the list with the new passkey (and, for a first method, its
// recovery codes).
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function (event) {
    var button = event.target;
    var url = button && button.getAttribute && button.getAttribute("data-done-url");
    if (url) {
      window.location.assign(url);
    }
  });
})();
