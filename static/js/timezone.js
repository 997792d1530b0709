// Home time zone on the sign-up form: while the patient has not touched the picker, choose
// the zone this browser reports (when the list offers it). Without JavaScript the server's
// default stays selected, and the select's own type-ahead finds a city by its first letters.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) {
    return;
  }
  document.querySelectorAll("select[data-browser-zone]").forEach(function (select) {
    var untouched = Array.prototype.every.call(select.options, function (option) {
      return option.selected === option.defaultSelected;
    });
    var offered = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (untouched && offered) {
      select.value = zone;
    }
  });
})();
