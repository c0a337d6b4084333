// Copy buttons (progressive enhancement): <button type="button" data-copy="ID" hidden> copies
// the value of the field ID; without JavaScript the button stays hidden and the read-only
// field can still be selected and copied by hand. The element after the button says "copied".
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const status = button.nextElementSibling;
  if (!field) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy");
    }
    if (status) status.hidden = false;
  });
}
