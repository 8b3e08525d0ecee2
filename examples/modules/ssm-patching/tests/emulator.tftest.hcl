# The module applied for real (terraform test, Terraform 1.6+ / OpenTofu 1.6+)
# against an SSM endpoint, by default the local emulator on port 4566:
#
#   /usr/bin/python3 ../../../tests/emulator/server.py --port 4566 &   # from this directory
#   terraform init && terraform test -filter=tests/emulator.tftest.hcl
#   terraform test -var endpoint=http://127.0.0.1:PORT ...     # another endpoint
#
# The runs use the fixture in tests/emulator (the module plus a provider block
# reading var.endpoint). terraform test destroys what it applied at the end.
# tests/terraform/test_module_tests.py runs the module's tests against a fresh
# emulator (or SSMPATCH_TEST_ENDPOINT) with every CLI 1.6+ present.

run "apply" {
  module {
    source = "./tests/emulator"
  }

  assert {
    condition     = can(regex("^pb-[0-9a-f]{17}$", output.baseline_id))
    error_message = "baseline_id is not a patch baseline ID: ${output.baseline_id}"
  }
  assert {
    condition     = can(regex("^mw-[0-9a-f]{17}$", output.window_id))
    error_message = "window_id is not a maintenance window ID: ${output.window_id}"
  }
  assert {
    condition     = toset(keys(output.target_ids)) == toset(["scan", "install"]) && alltrue([for id in values(output.target_ids) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "target_ids: one window target ID each for scan and install: ${jsonencode(output.target_ids)}"
  }
  assert {
    condition     = toset(keys(output.task_ids)) == toset(["scan", "install"]) && alltrue([for id in values(output.task_ids) : can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id))])
    error_message = "task_ids: one window task ID each for scan and install: ${jsonencode(output.task_ids)}"
  }
  assert {
    condition     = length(distinct(concat(values(output.target_ids), values(output.task_ids)))) == 4
    error_message = "four distinct target and task IDs"
  }
}

run "replan_keeps_every_object" {
  # The same configuration planned against what the apply made. Every object
  # is kept: a replaced one would have an unknown ID in this plan, and an
  # assertion on an unknown value fails. (run.apply.* references would say it
  # more directly, but OpenTofu 1.6 has none.)
  command = plan

  module {
    source = "./tests/emulator"
  }

  assert {
    condition     = can(regex("^pb-[0-9a-f]{17}$", output.baseline_id)) && can(regex("^mw-[0-9a-f]{17}$", output.window_id))
    error_message = "the plan replaces the baseline or the window"
  }
  assert {
    condition     = length(distinct(concat(values(output.target_ids), values(output.task_ids)))) == 4 && alltrue([for id in concat(values(output.target_ids), values(output.task_ids)) : can(regex("^[0-9a-f-]{36}$", id))])
    error_message = "the plan replaces a target or a task"
  }
}
