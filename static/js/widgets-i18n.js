/* The date picker (bootstrap-datepicker 1.10, shipped by FAB) and select2 4 in the page's language (zh, bo):
   the names come from the server (window.APP_WIDGETS, CLDR month and day names, the catalogs' messages). */
(function ($) {
  var data = window.APP_WIDGETS || {};
  if (!$ || !data.lang) { return; }
  if ($.fn.datepicker && data.datepicker) {
    $.fn.datepicker.dates[data.lang] = data.datepicker;
    $.fn.datepicker.defaults.language = data.lang;
    $.fn.datepicker.defaults.weekStart = data.datepicker.weekStart;
  }
  if ($.fn.select2 && $.fn.select2.defaults && data.select2) {
    var m = data.select2, messages = {};
    Object.keys(m).forEach(function (key) { messages[key] = function () { return m[key]; }; });
    $.fn.select2.defaults.set("language", messages);
  }
})(window.jQuery);

/* Month pickers (class app-month) and the styled file pickers (app/templates/widgets.html). */
(function ($) {
  if (!$) { return; }
  $(function () {
    if ($.fn.datepicker) {
      $(".app-month").datepicker({format: "yyyy-mm", minViewMode: 1, autoclose: true});
    }
    $(".file-picker input[type=file]").on("change", function () {
      var names = Array.prototype.map.call(this.files || [], function (f) { return f.name; });
      var label = $(this).siblings(".file-name");
      label.text(names.length ? names.join(", ") : label.data("none"));
    });
  });
})(window.jQuery);
