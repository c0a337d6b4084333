"""The privacy service: personal-data exports, erasure requests and their carrying out, the
privacy officers, and the retention rules `agora worker` applies."""
