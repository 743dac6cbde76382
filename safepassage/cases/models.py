"""Cases: intake, screening, the journey, the legal process, protection, referrals and conferences."""
