// Marks the page as scripted before it paints: without this class the menu stays open,
// so people without JavaScript can still reach every page.
document.documentElement.classList.add("js");
