variable "deletion_protection_enabled" {
  description = "modules/university deletion_protection_enabled (local default: off, so teardown works)."
  type        = bool
  default     = false
}

variable "point_in_time_recovery" {
  description = "modules/university point_in_time_recovery."
  type        = bool
  default     = true
}

variable "alarms_enabled" {
  description = "modules/university alarms_enabled."
  type        = bool
  default     = false
}

variable "stream_enabled" {
  description = "modules/university stream_enabled."
  type        = bool
  default     = true
}

variable "stream_processor_enabled" {
  description = "modules/university stream_processor_enabled."
  type        = bool
  default     = true
}
