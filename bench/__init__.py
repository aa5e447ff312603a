"""The load benchmark (`make bench`): reference apps, seeding, driver and report."""
