"""The local AWS endpoint: moto's server (the control plane) or DynamoDB Local (the data plane).

Owns starting, finding and stopping an engine on a port (`server`), installing and running
DynamoDB Local, and the cheap probes that ask whether an endpoint still answers.

May import: the shared leaves only.
"""
