terraform {
  required_version = ">= 0.13"
  required_providers {
    ssmpatch = {
      source  = "ssmpatch/ssmpatch"
      version = ">= 0.1.0"
    }
  }
}
