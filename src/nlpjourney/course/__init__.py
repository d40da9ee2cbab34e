"""The course around the library: the roadmap, the learner's workspace, and grading.

- :mod:`~nlpjourney.course.topics`: the roadmap's :class:`Topic` entries (:data:`TOPICS`,
  ``topics.get("1.4")``), each naming its library modules, tests and benchmarks;
- :mod:`~nlpjourney.course.paths`: where lessons and exercises are, in a clone or in the
  installed wheel;
- :mod:`~nlpjourney.course.workspace`: the learner's copies of lessons and exercise stubs
  (:func:`install_topic`);
- :mod:`~nlpjourney.course.notebooks`: lessons, kept as jupytext scripts, turned into
  notebooks and executed (needs the ``course`` extra; imported only when used);
- :mod:`~nlpjourney.course.grading` and :mod:`~nlpjourney.course.checking`: ``journey
  check``, which runs an exercise's checks with pytest in a subprocess
  (:func:`run_checks`; pytest comes with the ``course`` extra);
- :mod:`~nlpjourney.course.sandbox`: ``journey check --sandbox``, what Linux lets an
  unprivileged user take away from code it grades (and what it cannot);
- :mod:`~nlpjourney.course.progress`: the check results, in SQLite
  (:class:`ProgressStore`);
- :mod:`~nlpjourney.course.forbidden`: what an exercise may not use, found in the
  learner's file (:func:`find_uses`) and guarded while the checks run;
- :mod:`~nlpjourney.course.lesson_check`: :func:`check`, the check cell of an in-lesson
  exercise (right, or not yet with a hint);
- :mod:`~nlpjourney.course.results`: :class:`FullRun`, a lesson's stored full-run
  results (``lessons/results/<id>/``), shown beside a quick run's numbers;
- :mod:`~nlpjourney.course.diagrams` and the ``*_diagrams`` modules beside it
  (``ml``, ``classify``, ``sentiment``, ``embedding``, ``training``, ``bert``, ``llama``):
  the lessons' pictures of structure (k-fold cross-validation, a fitted decision tree,
  naive Bayes' fit and predict, VADER's rules word by word, the transformer block,
  encoder-decoder, causal mask, BPE merges, computation graph, training loop, data
  pipeline, the BERT encoder, skip-gram with negative sampling), drawn by code.

This is the top floor: the library never imports it, and importing it needs none of
the ``course`` extra's packages until a lesson is built or an exercise graded.

>>> from nlpjourney.course import topics
>>> topics.get("1.4").name
'1.4-subword-tokenization'
"""

from nlpjourney.course import topics
from nlpjourney.course.forbidden import ForbiddenUseError, Use, find_uses
from nlpjourney.course.grading import (
    CheckReport,
    CheckResult,
    GradingOptionError,
    RefusedError,
    run_checks,
)
from nlpjourney.course.lesson_check import check
from nlpjourney.course.paths import course_root, repo_root
from nlpjourney.course.progress import ProgressStore, TopicProgress
from nlpjourney.course.results import FullRun, LessonResultsError
from nlpjourney.course.sandbox import SandboxError, SandboxPlan
from nlpjourney.course.topics import AREAS, TOPICS, Topic
from nlpjourney.course.workspace import exercise_file, install_topic, topic_dir, workspace_root

__all__ = [
    "AREAS",
    "TOPICS",
    "CheckReport",
    "CheckResult",
    "ForbiddenUseError",
    "FullRun",
    "GradingOptionError",
    "LessonResultsError",
    "ProgressStore",
    "RefusedError",
    "SandboxError",
    "SandboxPlan",
    "Topic",
    "TopicProgress",
    "Use",
    "check",
    "course_root",
    "exercise_file",
    "find_uses",
    "install_topic",
    "repo_root",
    "run_checks",
    "topic_dir",
    "topics",
    "workspace_root",
]
