"""Investment programming: which projects, when, paid by which source (POM and its first year, the POA).

- :mod:`.project`: the candidate project and its validation (every problem at once).
- :mod:`.illustrative`: an ILLUSTRATIVE portfolio for demonstrations.
- :mod:`.targets`, :mod:`.scoring`: strategic results and the multi-criteria score.
- :mod:`.borrowing`: new INFOM loans sharing one debt-service room.
- :mod:`.inputs`: the programme's checked inputs and :class:`~.inputs.ProgrammeOptions`.
- :mod:`.milp`: the mixed-integer programme; :mod:`.optimize`: the optimal programme;
  :mod:`.ranked`: the ranked fill it is compared with; :mod:`.reasons`: why, in Spanish.
- :mod:`.programme`: a programme's tables; :mod:`.progress`: what it buys against the targets;
  :mod:`.verify`: every rule a programme must keep, checked from its tables alone.
- :mod:`.plan`: the plan of one municipality on a run's fiscal space, and its effect on the
  projection (O&M and new debt service).
"""
