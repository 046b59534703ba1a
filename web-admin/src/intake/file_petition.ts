// Registers a petition from a desk's form, then sends its files; the petition is filed even when a file fails.
import { Body, call, Schema } from "../client";
import { uploadFiles, UploadResult } from "./attachment_picker";

export type Filed = Schema<"Petition">;

export async function filePetition(body: Body<"/api/v1/petitions", "post">, files: File[]): Promise<{ filed: Filed; uploads: UploadResult[] }> {
  const filed = await call("post", "/api/v1/petitions", { body });
  const uploads = await uploadFiles(`/api/v1/petitions/${filed.id}/attachments`, files);
  return { filed, uploads };
}
