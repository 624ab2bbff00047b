# Inputs of the BandUp family alone; the inputs every family shares are in variables-common.tf.

variable "attach_to_role_name" {
  description = "Name of an existing IAM role (e.g. the evaluators' Lambda role) to attach the access policy to as an inline policy. null = only output the policy JSON."
  type        = string
  default     = null
}

