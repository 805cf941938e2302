/* Material for MkDocs reads its search box on `keyup` only, so text committed by an input
   method or pasted (no key-up) showed 键入以开始搜索 and no results. Any change of the box's
   text is passed on as a key-up; while an input method is still composing (pinyin letters),
   nothing is, until the characters are committed. */
(function () {
  var box = document.querySelector("[data-md-component=search-query]");
  if (!box) {
    return;
  }
  function announce() {
    box.dispatchEvent(new KeyboardEvent("keyup"));
  }
  box.addEventListener("input", function (event) {
    if (!event.isComposing) {
      announce();
    }
  });
  box.addEventListener("compositionend", announce);
})();
