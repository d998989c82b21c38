"""Shared by the services only: error envelope, health, event streams, durable TinyDB storage."""
