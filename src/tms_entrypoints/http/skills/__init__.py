"""HTTP endpoints of the skills area: the skill catalogue, users' skills and the skills
matrix, assessments, achievements and activity."""
