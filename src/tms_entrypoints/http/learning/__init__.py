"""The learning area's HTTP edge: courses, modules, lessons, enrolments and progress."""
