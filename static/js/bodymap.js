// The body map drawn beside the site radio group: tapping a place on the figure picks that
// radio, and the figure shows whichever radio is picked. Without this file the radios still work.
(function () {
  "use strict";

  function sync(picker, radios) {
    radios.forEach(function (radio) {
      var region = picker.querySelector('.body-map [data-site="' + radio.value + '"]');
      if (region) {
        region.classList.toggle("is-checked", radio.checked);
      }
    });
  }

  function wire(picker) {
    var maps = picker.querySelectorAll(".body-map");
    var radios = Array.prototype.slice.call(picker.querySelectorAll('input[type="radio"]'));
    if (!maps.length || !radios.length) {
      return;
    }
    function pick(event) {
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
    }
    Array.prototype.forEach.call(maps, function (map) {
      map.addEventListener("click", pick);
    });
    picker.addEventListener("change", function () {
      sync(picker, radios);
    });
    sync(picker, radios);
  }

  document.querySelectorAll(".site-picker").forEach(wire);
})();
