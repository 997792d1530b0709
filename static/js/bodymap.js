// The body map drawn beside the site radio group: tapping a place on the figure picks that
// radio, and the figure shows whichever radio is picked. Without this file the radios still work.
(function () {
  "use strict";

  function sync(map, radios) {
    radios.forEach(function (radio) {
      var region = map.querySelector('[data-site="' + radio.value + '"]');
      if (region) {
        region.classList.toggle("is-checked", radio.checked);
      }
    });
  }

  function wire(picker) {
    var map = picker.querySelector(".body-map");
    var radios = Array.prototype.slice.call(picker.querySelectorAll('input[type="radio"]'));
    if (!map || !radios.length) {
      return;
    }
    map.addEventListener("click", function (event) {
      var region = event.target.closest("[data-site]");
      if (!region) {
        return;
      }
      var radio = radios.find(function (r) {
        return r.value === region.getAttribute("data-site");
      });
      if (radio) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
        radio.focus();
      }
    });
    picker.addEventListener("change", function () {
      sync(map, radios);
    });
    sync(map, radios);
  }

  document.querySelectorAll(".site-picker").forEach(wire);
})();
