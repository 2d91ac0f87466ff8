"""The weekly state: per unit and ISO week of an initiative, numbers computed once, read often."""
