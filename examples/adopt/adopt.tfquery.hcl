# The seed's patching objects, wherever they came from: each list block finds
# one resource type; include_resource = true brings each object whole, so
# `terraform query -generate-config-out=FILE` can write its resource block
# (and an import block by identity next to it).

list "ssmpatch_patch_baseline" "patching" {
  provider         = ssmpatch
  include_resource = true

  config {
    owner       = "Self"
    name_prefix = var.name_prefix
  }
}

list "ssmpatch_maintenance_window" "patching" {
  provider         = ssmpatch
  include_resource = true

  config {
    name_prefix = var.name_prefix
  }
}

# The targets and tasks of each window found above.
list "ssmpatch_window_target" "patching" {
  provider         = ssmpatch
  include_resource = true
  for_each         = toset([for w in list.ssmpatch_maintenance_window.patching.data : w.identity.id])

  config {
    window_id = each.key
  }
}

list "ssmpatch_window_task" "patching" {
  provider         = ssmpatch
  include_resource = true
  for_each         = toset([for w in list.ssmpatch_maintenance_window.patching.data : w.identity.id])

  config {
    window_id = each.key
  }
}
