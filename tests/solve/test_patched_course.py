"""A patched pressure course answers every question the unpatched one does, subject by subject."""

import numpy as np

from retrosim.solve import bp_crossing
from retrosim.solve.bp_course import PatchedCourse, PressureCourse
from retrosim.solve.timeline import Timeline

#: 10 min at 6 MET after 1 min of rest, then 20 min seated; the patched subject stops at 5 min.
FULL = Timeline.shared([0.0, 60.0, 660.0, 1860.0], [0.0, 1.2, 0.0, 0.0], [0.0] * 4,
                       [-1] * 4, [1] * 4)
SHORT = Timeline.shared([0.0, 60.0, 360.0, 1860.0], [0.0, 1.2, 0.0, 0.0], [0.0] * 4,
                        [-1] * 4, [1] * 4)
MET = np.array([[1.0, 1.0], [6.0, 6.0], [1.0, 1.0], [1.0, 1.0]])
REST = np.array([[150.0, 150.0], [95.0, 95.0]])
PER_MET = (10.0, 2.0)


def course(timeline, met, rest):
    return PressureCourse.build(timeline, met, rest, np.ones(met.shape[1]), PER_MET)


def test_patched_course_takes_each_answer_from_the_course_its_subject_follows():
    base = course(FULL, MET, REST)
    patch = course(SHORT, MET[:, 1:], REST[:, 1:])
    patched = PatchedCourse(base, np.array([1]), patch)
    level = np.array([190.0, 190.0])
    got = bp_crossing.first_crossing(patched, 0, level, False)
    assert got[0] == bp_crossing.first_crossing(base, 0, level, False)[0]
    assert got[1] == bp_crossing.first_crossing(patch, 0, level[1:], False)[0]
    assert np.isfinite(got[0]) and np.isfinite(got[1])
    times = np.array([30.0, 300.0, 900.0])
    np.testing.assert_array_equal(patched.sample(times)[:, :, 1], patch.sample(times)[:, :, 0])
    np.testing.assert_array_equal(patched.sample(times)[:, :, 0], base.sample(times)[:, :, 0])
