"""Screens of the co-production method: the self-reflection answers, the appraisal, the plan and "you said, we did"."""
