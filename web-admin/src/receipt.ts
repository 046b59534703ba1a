// The acknowledgement (受理回执) a petitioner is given: opened with the browser's print dialogue.
export function printReceipt(petitionId: number) {
  const receipt = window.open(`/api/v1/petitions/${petitionId}/receipt`, "_blank");
  receipt?.addEventListener("load", () => receipt.print());
}
