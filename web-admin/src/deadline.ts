// The working time left before a deadline (or how late), as the API counts it by the deciding unit's
// calendar: whole working days after today, or working hours when the deadline is today.
import { Schema } from "./client";
import { t } from "./i18n";

export type TimeLeft = Schema<"TimeLeft">;

export function timeLeftText(left: TimeLeft): string {
  let amount: string;
  if (left.working_days >= 1) amount = `${left.working_days} ${t("working_days")}`;
  else if (left.working_minutes >= 60) amount = `${Math.floor(left.working_minutes / 60)} ${t("working_hours")}`;
  else amount = `${left.working_minutes} ${t("minutes")}`;
  return `${left.overdue ? t("overdue_by") : t("time_left")} ${amount}`;
}
