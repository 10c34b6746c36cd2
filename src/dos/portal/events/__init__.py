"""Events: venues, events and series, registration with waiting list, reminders, iCalendar."""
