output "baseline_id" {
  description = "ID of the environment's patch baseline."
  value       = ssmpatch_patch_baseline.this.id
}

output "window_id" {
  description = "ID of the maintenance window."
  value       = ssmpatch_maintenance_window.this.id
}

output "target_ids" {
  description = "Window target IDs by operation (scan, install)."
  value       = { for k, t in ssmpatch_window_target.this : k => t.id }
}

output "task_ids" {
  description = "Window task IDs by operation (scan, install)."
  value       = { for k, t in ssmpatch_window_task.this : k => t.id }
}
