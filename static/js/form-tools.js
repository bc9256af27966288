// What the forms ask of the page, declared on the widgets by the Django forms (suggestions/forms.py):
//   select[data-picker]               a searchable picker (Tom Select, from static/vendor), with Chinese texts;
//                                     an option is found by its text and its data-keywords;
//   select[data-options-url]          its options are asked of that address as a person types (the list's
//                                     代表 and 单位 filters: only the chosen one is drawn);
//   [data-when="name=value"]          the field is shown only while the form's input <name> has that value
//                                     (交办方式: 协办 in 主办+协办 mode, 分办 in 分办 mode; the batch bar's fields);
//                                     the server ignores the field of the other mode in any case;
//   select[data-exclude-from="name"]  the value chosen in the form's select <name> is not offered here
//                                     (the lead unit is not also a co-unit; the lead deputy not a joint deputy);
//   button[data-fill="name"][data-value] a click chooses that value in the form's select <name> (added to it
//                                     when it takes several): the proposed units above the assign form.
// Modals and htmx swaps are set up when they appear, so a form works wherever it is drawn.
(function () {
  "use strict";

  var TEXTS = { placeholder: "输入名称查找", noResults: "无匹配结果", remove: "移除" };

  // select[data-options-url]: only the chosen option is on the page; the matches of what is typed are asked
  // of that address (at most 50 {value, text, keywords}), the empty choice kept to clear the filter.
  function remote(select, settings) {
    var url = select.dataset.optionsUrl;
    settings.allowEmptyOption = true;
    settings.preload = "focus";
    settings.shouldLoad = function () { return true; };
    settings.load = function (query, callback) {
      fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { callback(data.results); })
        .catch(function () { callback(); });
    };
    return settings;
  }

  function picker(select) {
    if (select.tomselect || typeof TomSelect === "undefined") { return select.tomselect; }
    var multi = select.multiple;
    var settings = {
      plugins: multi ? { remove_button: { title: TEXTS.remove } } : {},
      maxOptions: null,
      allowEmptyOption: false,
      closeAfterSelect: !multi,
      // the options are on the page: filter at each key, so no late refresh reopens a closed list
      refreshThrottle: 0,
      searchField: ["text", "keywords"],  // <option data-keywords>: a unit's short name (住建局)
      placeholder: select.dataset.placeholder || TEXTS.placeholder,
      render: {
        no_results: function () { return '<div class="no-results">' + TEXTS.noResults + "</div>"; }
      },
      onItemAdd: function () {
        if (multi) { this.setTextboxValue(""); this.refreshOptions(false); }  // pick several in a row
      }
    };
    return new TomSelect(select, select.dataset.optionsUrl ? remote(select, settings) : settings);
  }

  function field(element) {
    return element.closest("[data-field]") || element;
  }

  function currentValue(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) { return input.value; }
      } else {
        return input.value;
      }
    }
    return "";
  }

  function showWhen(form) {
    var dependent = form.querySelectorAll("[data-when]");
    if (!dependent.length) { return; }
    function apply() {
      dependent.forEach(function (element) {
        var rule = element.dataset.when.split("=");
        field(element).hidden = currentValue(form, rule[0]) !== rule[1];
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.name && form.querySelector('[data-when^="' + event.target.name + '="]')) { apply(); }
    });
    apply();
  }

  function exclude(form, select) {
    var source = form.querySelector('[name="' + select.dataset.excludeFrom + '"]');
    if (!source) { return; }
    var removed = null;
    function apply() {
      var value = source.value;
      var ts = select.tomselect;
      if (ts) {
        if (removed && removed.value !== value) { ts.addOption(removed); removed = null; }
        if (value && ts.options[value]) {
          removed = { value: value, text: ts.options[value].text, $order: ts.options[value].$order };
          ts.removeOption(value);
        }
        if (ts.isOpen) { ts.refreshOptions(false); }
        return;
      }
      Array.prototype.forEach.call(select.options, function (option) {
        var chosen = value !== "" && option.value === value;
        option.hidden = option.disabled = chosen;
        if (chosen) { option.selected = false; }
      });
    }
    source.addEventListener("change", apply);
    apply();
  }

  function setUp(root) {
    root.querySelectorAll("select[data-picker]").forEach(picker);
    root.querySelectorAll("form").forEach(function (form) {
      if (form.dataset.formTools) { return; }
      form.dataset.formTools = "1";
      showWhen(form);
      form.querySelectorAll("select[data-exclude-from]").forEach(function (select) { exclude(form, select); });
    });
  }

  function fill(button) {
    var form = button.closest("form");
    var select = form && form.querySelector('select[name="' + button.dataset.fill + '"]');
    if (!select) { return; }
    var mode = form.querySelector('input[name="mode"][value="lead"]');
    if (mode && !mode.checked) { mode.checked = true; mode.dispatchEvent(new Event("change", { bubbles: true })); }
    var value = button.dataset.value;
    if (select.tomselect) {
      select.tomselect.addItem(value);
    } else {
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value === value) { option.selected = true; } else if (!select.multiple) { option.selected = false; }
      });
    }
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-fill]");
    if (button) { fill(button); }
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  window.formTools = { setUp: setUp };
})();
