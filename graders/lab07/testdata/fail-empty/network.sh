# Crée... rien : un script vide ne doit gagner ni lab7.idempotent ni lab7.cleanup.
true
