// Registers a petition from a desk's form, then sends its files; the petition is filed even when a file fails.
import { api } from "../api";
import { uploadFiles, UploadResult } from "./attachment_picker";

export interface Filed {
  id: number;
  tracking_code: string;
  version: number;
}

export async function filePetition(body: Record<string, unknown>, files: File[]): Promise<{ filed: Filed; uploads: UploadResult[] }> {
  const filed = await api<Filed>("POST", "/api/v1/petitions", body);
  const uploads = await uploadFiles(`/api/v1/petitions/${filed.id}/attachments`, files);
  return { filed, uploads };
}
