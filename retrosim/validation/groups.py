"""The published groups ``retrosim validate --coverage`` holds the prediction intervals
against (:mod:`retrosim.validation.coverage`), and what it leaves out.

Each group is a mean and a between-person SD of a quantity measured in people of one sex and
age band (:class:`Published`), or of the VO2max gain after a published programme
(:class:`PublishedGain`); its ``kind`` says whether the interval was built from it
("calibration": only the centre is tested) or not ("validation").

Sources (full entries in ``docs/references.md``):

- Loe H, Rognmo Ø, Saltin B, Wisløff U (2013). Aerobic capacity reference data in 3816 healthy
  men and women 20-90 years. PLoS One 8:e64319; doi:10.1371/journal.pone.0064319: HRmax in
  treadmill running at 20-29 years, men 196 +/- 10, women 194 +/- 9 min-1. The women's
  default line (Sydo et al. 2014, 210 - 0.79 age) comes from women aged 40-89, so at 25 it
  is extrapolated (190 min-1; the earlier default, Gulati et al. 2010, from women of 35 and
  over, gave 184); no line from women younger than 35 with a term for sex was found: the
  cohorts that hold them find none (the HUNT Fitness Study, Nes et al. 2013; the FRIEND
  registry, Arena et al. 2016; Tanaka et al. 2001's meta-analysis). Loe's cohort is the
  HUNT Fitness Study's, whose HRmax line is the calibration rows' (Nes et al. 2013), so its
  rows test the centre and spread against people the spread came from in part.
- Nes BM, Janszky I, Wisløff U, Støylen A, Karlsen T (2013). Age-predicted maximal heart rate in
  healthy subjects: the HUNT Fitness Study. Scand J Med Sci Sports 23:697-704;
  doi:10.1111/j.1600-0838.2012.01445.x: HRmax = 211 - 0.64 age, SEE 10.8 min-1, 3,320 men and
  women aged 19-89, with no interaction with sex.
- Gonzales TI et al. (2023). Resting heart rate is a population-level biomarker of
  cardiorespiratory fitness: the Fenland Study. PLoS One 18:e0285272;
  doi:10.1371/journal.pone.0285272: resting HR seated 67.6 +/- 9.8, supine 63.5 +/- 8.9,
  asleep 56.9 +/- 6.9 min-1 in 5,143 men and 5,722 women aged 29-65 (the seated value, men and
  women together, as the preprint's abstract gives it: the row's versions are the same mix,
  :attr:`Published.female_share`).
- Nauman J, Aspenes ST, Nilsen TIL, Vatten LJ, Wisløff U (2012). A prospective population
  study of resting heart rate and peak oxygen uptake (the HUNT Study, Norway). PLoS One
  7:e45021; doi:10.1371/journal.pone.0045021: resting HR at HUNT 1 (1984-86, about 35 years),
  men 69.6 +/- 11.4 (807), women 73.9 +/- 11.1 (810) min-1. The same people 23 years later
  (HUNT 3, 57.8 +/- 8.9 and 61.3 +/- 9.6) are left out: they are the healthy volunteers of a
  fitness study, as the VO2max exclusion says of such cohorts.
- Feng KY et al. (2024). Resting heart rate and associations with clinical measures from the
  Project Baseline Health Study. J Med Internet Res 26:e60493; doi:10.2196/60493: resting HR
  by a wrist-worn watch (intraclass correlation 0.946 with a simultaneous ECG) in 875 US
  adults of mean age 50.9: women 66.6 +/- 11.2 (519), men 64.4 +/- 12.3 (356) min-1. Not the
  quantity the model's resting HR is: the model's is a seated pulse (NHANES, Ostchega et al.
  2011), and the watch's reading was taken with a resting 12-lead ECG, which is recorded lying
  supine (Kligfield et al. 2007; Feng's methods were not read, so the posture is the
  standard's, assumed). The row compares like with like: each version's seated resting HR
  times the ratio of supine to seated resting HR in the same 10,865 people of the Fenland
  Study, 63.5 / 67.6 (Gonzales et al. 2023; :data:`SUPINE_PER_SEATED`). A single reading
  holds the person's day-to-day variation besides the difference between people; NHANES's
  spread is of single visits' readings too, so it holds it already, and none is added (a
  wearable's average over months, which holds less of it, spreads 7.7 min-1 between people,
  Quer et al. 2020, below NHANES's 10.8-11.3).
- Church TS, Earnest CP, Skinner JS, Blair SN (2007). JAMA 297:2081-2091;
  doi:10.1001/jama.297.19.2081 (DREW): peak VO2 on a cycle ergometer of 464 sedentary,
  overweight or obese postmenopausal women (BMI 25-43, age 45-75), 1.30 +/- 0.25 L/min at
  baseline. The person is a woman of 57 y (the exercise groups' mean ages, 56.3-58.0, Ross et
  al. 2019 Table 1) and 84 kg (1.30 L/min at 15.4 mL/kg/min, Ross et al. 2019 Table 1, as
  :mod:`retrosim.validation.cohort` derives it), her predicted
  VO2max per kg times her mass held against the published mL/min. The published SD spreads
  over women of different mass (BMI 25-43) and age (45-75), the interval over one woman of the
  mean: were the prediction's spread right, the row would hold less than 90 %. VO2max's spread
  is FRIEND's standard error (de Souza e Silva et al. 2018), not DREW's, so this is a
  validation row.

Responses to training, the gain of VO2max [mL/min] (:class:`PublishedGain`):

- Bouchard C et al. (1999). J Appl Physiol 87:1003-1008 (HERITAGE, 20 weeks; two tests before
  and two after): +384 +/- 202 mL/min, as tabulated by Ross R et al. (2019), Br J Sports Med
  53:1141, Table 1.
- Sisson SB et al. (2009). Med Sci Sports Exerc 41:539-545; doi:10.1249/MSS.0b013e3181896c4e
  (DREW, Church et al. 2007, 6 months at 50 % of peak VO2): +29 +/- 144, +88 +/- 129 and
  +106 +/- 146 mL/min at 4, 8 and 12 kcal/kg a week (Ross et al. 2019, Table 1). How many
  tests DREW took at each visit was not read: one is assumed (two would narrow the error of
  its measured gains by a factor of 1.41).

A published SD of gains spreads over a cohort, so a DREW row is its cohort
(:attr:`PublishedGain.cohort`, :mod:`retrosim.validation.cohort`): each of the 200 versions is
a woman drawn from the group's baseline distributions (age and VO2max of the group, Ross et
al. 2019 Table 1; absolute VO2max 1.30 +/- 0.25 L/min, Church et al. 2007; age 45-75 y and
BMI 25-43, the inclusion limits), walking at the treadmill step nearest 50 % of her own
VO2max ("the heart rate associated with 50 % of each woman's peak VO2", Church et al. 2007)
for minutes inversely proportional to her own cost, the group's mean the published weekly
minutes (72.2, 135.8 and 191.7 min; the model's gross kcal would need 1.5-1.6 times as many
for the stated kcal/kg, so DREW's own accounting is taken, scaled to its minutes).
Assumed, not read: the SDs of age (6.5 y) and body mass (12 kg), each group's mass (84 kg),
each group's SD of VO2max (the whole cohort's) and the correlation of mass with absolute
VO2max (0.56, chosen so that relative VO2max spreads as the published minutes do).

Left out, with the reason (:data:`EXCLUSIONS`), so a reader sees what is not checked.
"""

from __future__ import annotations

import dataclasses

from retrosim.validation import cohort
from retrosim.validation.cohort import PublishedCohort


@dataclasses.dataclass(frozen=True)
class Published:
    """A published between-person distribution: ``mean`` +/- ``sd`` of ``trait`` (a subject
    key) in people of ``sex`` aged about ``age_yr``; a group of men and women together has
    ``sex`` "both" and the share of women ``female_share``."""

    source: str
    group: str
    trait: str
    sex: str
    age_yr: float
    mean: float
    sd: float
    kind: str = "validation"
    female_share: float | None = None
    #: The person's body mass [kg]: the group's mean where the trait's prediction depends on
    #: mass, else a typical 70 kg.
    mass_kg: float = 70.0
    #: A trait per kg of body mass compared in absolute units: the group's ``mean`` and ``sd``
    #: are of the trait times the mass (VO2max in mL/min).
    absolute: bool = False
    #: The source's reading per the model's quantity, where they differ: each version's value
    #: is multiplied by it (a supine resting HR, :data:`SUPINE_PER_SEATED`); 1 where the source
    #: measured what the model predicts.
    reading_ratio: float = 1.0


@dataclasses.dataclass(frozen=True)
class PublishedGain:
    """A published between-person distribution of the VO2max gain [mL/min], ``mean`` +/-
    ``sd``, of people like ``subject`` (a [subject] table) who walked a session of ``stages``
    on the calendar ``program`` (a [program] table), with ``progression`` if given; VO2max
    was measured with ``tests`` maximal tests (before, after), each visit's value their
    mean. With ``cohort`` (:class:`~retrosim.validation.cohort.PublishedCohort`), the people
    are the cohort's members instead, each at her own prescription (``subject`` and
    ``stages`` then unused)."""

    source: str
    group: str
    subject: tuple[tuple[str, object], ...]
    stages: tuple[str, ...]
    program: tuple[tuple[str, object], ...]
    mean: float
    sd: float
    kind: str = "validation"
    progression: tuple[tuple[str, float], ...] = ()
    tests: tuple[int, int] = (1, 1)
    cohort: PublishedCohort | None = None


def _drew(kcal: int, mean: float, sd: float) -> PublishedGain:
    """A DREW group (:data:`retrosim.validation.cohort.DREW`) as its members, 3 sessions a
    week for 26 weeks."""
    return PublishedGain(
        "Sisson et al. 2009", f"gain mL/min, DREW {kcal} KKW", (("sex", "female"),), (),
        (("weeks", 26), ("sessions_per_week", 3)), mean, sd, cohort=cohort.DREW[kcal])


def _nes(age: float, sex: str) -> Published:
    return Published("Nes et al. 2013", f"HRmax, {'women' if sex == 'female' else 'men'} "
                     f"{age:g} y", "hr_max_bpm", sex, age,
                     211.0 - 0.64 * age, 10.8, "calibration")


#: Resting HR lying supine per resting HR seated, in the same 10,865 adults of the Fenland
#: Study: 63.5 / 67.6 (Gonzales et al. 2023). A ratio, not a difference: the two readings'
#: coefficients of variation are alike (8.9 / 63.5 = 14.0 %, 9.8 / 67.6 = 14.5 %), as scaling a
#: log-normal keeps them.
SUPINE_PER_SEATED = 63.5 / 67.6

#: The published groups, in the order printed.
PUBLISHED: tuple[Published, ...] = (
    Published("Loe et al. 2013", "HRmax, men 20-29 y", "hr_max_bpm", "male",
              25.0, 196.0, 10.0),
    Published("Loe et al. 2013", "HRmax, women 20-29 y", "hr_max_bpm", "female",
              25.0, 194.0, 9.0),
    *(_nes(age, sex) for sex in ("male", "female") for age in (30.0, 50.0, 70.0)),
    Published("Nauman et al. 2012", "rest HR, men 35 y", "hr_rest_bpm", "male",
              35.0, 69.6, 11.4),
    Published("Nauman et al. 2012", "rest HR, women 35 y", "hr_rest_bpm", "female",
              35.0, 73.9, 11.1),
    # read with a resting ECG, lying supine: the seated prediction times the Fenland ratio
    Published("Feng et al. 2024", "supine HR, men 51 y", "hr_rest_bpm", "male",
              51.0, 64.4, 12.3, reading_ratio=SUPINE_PER_SEATED),
    Published("Feng et al. 2024", "supine HR, women 51 y", "hr_rest_bpm", "female",
              51.0, 66.6, 11.2, reading_ratio=SUPINE_PER_SEATED),
    # men and women together: 5,722 women of 10,865
    Published("Gonzales et al. 2023", "rest HR, adults 29-65 y", "hr_rest_bpm", "both",
              47.0, 67.6, 9.8, female_share=5722.0 / 10865.0),
    # DREW's 464 women at baseline, cycle ergometer: a woman of the group's mean age and mass
    Published("Church et al. 2007", "VO2max mL/min, DREW 57 y", "vo2max_ml_kg_min", "female",
              57.0, 1300.0, 250.0, mass_kg=cohort.DREW[4].mass_kg.mean, absolute=True),
)
#: The published responses to training, in the order printed (after :data:`PUBLISHED`): DREW
#: as its cohorts (3 sessions a week, each woman at 50 % of her own VO2max for her share of
#: her group's weekly minutes); HERITAGE as its calibration row (a 35-y-old man of 75 kg,
#: 3.5 mph uphill, grade and minutes rising, as ``retrosim.validation.programmes`` checks it).
GAINS: tuple[PublishedGain, ...] = (
    _drew(4, 29.0, 144.0), _drew(8, 88.0, 129.0), _drew(12, 106.0, 146.0),
    PublishedGain("Bouchard et al. 1999", "gain mL/min, HERITAGE",
                  (("mass_kg", 75.0), ("age_yr", 35.0), ("sex", "male")),
                  ("walk forward at 3.5 mph, 4.5% grade for 30 min",),
                  (("weeks", 20), ("sessions_per_week", 3)), 384.0, 202.0, "calibration",
                  (("grade_pct_per_week", 0.35), ("max_grade_pct", 9.0),
                   ("duration_min_per_week", 1.5), ("max_duration_min", 50.0)), (2, 2)),
)

#: What is not checked yet, and why.
EXCLUSIONS = (
    ("VO2max beyond DREW", "predicted for a sedentary adult from a cycle-ergometer equation "
     "(Hansen, Sue & Wasserman 1984, from 77 men of mean age 54), spread by the standard "
     "error of FRIEND's own equation (6.6 mL/kg/min, de Souza e Silva et al. 2018) at the "
     "person's prediction; no standard error of Hansen's equation was read. One sedentary "
     "group is checked (DREW, Church et al. 2007); the other published distributions at hand "
     "are of healthy, partly active treadmill cohorts (Loe et al. 2013; Kaminsky et al. "
     "2015), not the population the prediction describes, and HERITAGE's sedentary baseline "
     "by sex (Bouchard et al. 1998) was not read"),
    ("resting HR by age", "the interval is by sex (the adult mean of NHANES 1999-2008 and a "
     "log-normal fitted to its prevalences of bradycardia and tachycardia, Ostchega et al. "
     "2011), not by age: men's pulse levels off in early adulthood and women's in middle "
     "age, and the abstract gives no adult means by age. A watch's readings with a resting "
     "ECG put women above men by less (Feng et al. 2024: 66.6 and 64.4) and lie 2-3 min-1 "
     "below NHANES's seated means times the Fenland Study's ratio of supine to seated "
     "(Gonzales et al. 2023): what else differs between the two US samples is not "
     "modelled"),
    ("NHANES's resting pulse as a row here", "the abstract gives the means and the "
     "prevalences the spread is fitted to, not an SD; 'retrosim validate' holds the fitted "
     "log-normal's mean against the published mean instead (Ostchega et al. 2011)"),
    ("session outcomes (energy, HR peak, BP)", "no published between-person SD at the "
     "conditions of a bundled protocol"),
    ("how many tests DREW took at each visit", "not read; one test before and one after is "
     "assumed for its measured gains (Sisson et al. 2009; Church et al. 2007)"),
    ("the spread of DREW's baselines within each group", "the SDs of age (6.5 y) and body "
     "mass (12 kg) and the correlation of mass with absolute VO2max (0.56) are assumed; the "
     "SD of absolute VO2max (0.25 L/min) is the whole cohort's (Church et al. 2007)"),
    ("the day-to-day variation of a test in these cohorts", "taken from five trained adults "
     "tested over 2-4 weeks (Katch et al. 1982); HERITAGE's own reproducibility study "
     "(Skinner et al. 1999) was not read, and none was found for older sedentary women or "
     "over the months of a programme; untrained adults a week apart vary less, not more "
     "(4.6 % a test, Bingisser et al. 1997); the measured-gain rows move with it"),
    ("DREW's change without training", "a published gain is the raw difference of two "
     "tests six months apart, which holds whatever VO2max does in six months without "
     "training besides the training's effect; DREW's control group's change and its SD were "
     "not read (Church et al. 2007 give the exercise groups' gains against it, +4.2, 6.0 and "
     "8.2 %), so the model's gains are the training's effect alone. Its mean would move "
     "every group's centre alike, and it cannot be read back: Church's percentages times the "
     "groups' baselines, 54, 75 and 111 mL/min, against the raw 29, 88 and 106 (Sisson et "
     "al. 2009) imply control changes of -25, +13 and -5, no one value. The rows fall short "
     "by their width, not their centre: re-centred on the published means they would hold "
     "79.3, 85.2 and 85.1 %; the model's measured gains spread as an SD of about 111, 113 "
     "and 128 mL/min against the published 144, 129 and 146. What a spread of six months "
     "without training adds beyond a test's error of a few weeks (Katch et al. 1982) is "
     "that control group's SD of change"),
)
