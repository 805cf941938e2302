/* Yiti's two changes to Material for MkDocs' search, loaded in <head> before Material's bundle.

   1. Typed Chinese is searched. Material reads its search box on `keyup` only, so text
      committed by an input method or pasted (no key-up) showed 键入以开始搜索 and no results.
      Any change of the box's text is passed on as a key-up; while an input method is still
      composing (pinyin letters), nothing is, until the characters are committed.
   2. The search index is fetched on first use, not on every page load: Material requests
      search/search_index.json with XMLHttpRequest as the page starts; that one request is
      held until the search box gets focus or the search dialog opens. */
(function () {
  var QUERY = "[data-md-component=search-query]";
  var INDEX = /\/search\/search_index\.json$/;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  var used = false;
  var held = [];

  function isQuery(element) {
    return element instanceof Element && element.matches(QUERY);
  }
  function announce(box) {
    box.dispatchEvent(new KeyboardEvent("keyup"));
  }
  function use() {
    if (!used) {
      used = true;
      held.splice(0).forEach(function (release) { release(); });
    }
  }

  XMLHttpRequest.prototype.open = function (method, url) {
    this.yitiIndex = INDEX.test(String(url));
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    var request = this;
    var args = arguments;
    if (!request.yitiIndex || used) {
      return send.apply(request, args);
    }
    held.push(function () { send.apply(request, args); });
  };

  document.addEventListener("focusin", function (event) {
    if (isQuery(event.target)) { use(); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.id === "__search" && event.target.checked) { use(); }
  });
  document.addEventListener("input", function (event) {
    if (isQuery(event.target) && !event.isComposing) { announce(event.target); }
  });
  document.addEventListener("compositionend", function (event) {
    if (isQuery(event.target)) { announce(event.target); }
  });
})();
