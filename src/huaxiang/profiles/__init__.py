"""Profiles: fact tables with their customers, the profile build (traits), tags and segments."""
