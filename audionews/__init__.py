"""audionews: accessible German audio news."""
