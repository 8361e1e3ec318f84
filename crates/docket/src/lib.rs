//! Court-rule deadline computation (FRCP 6), rule sets as data, reminders and iCalendar feeds.
