"""The paper's metrics (DESIGN.md §7), by the same definitions as
src/inference/evaluation/evaluation-metrics.ts (a test feeds both the same predictions).

    python3 -m amsnet_training.metrics < trajectories.json   # [{"blastocyst": bool, "probabilities": {segment: p}, "cultureEnded": bool}]
"""

from __future__ import annotations

import json
import sys
from typing import Dict, List, Optional, Sequence

SEGMENT_COUNT = 28
EVALUATION_DAYS = [(i + 1) / 2 for i in range(14)]
ROC_DAYS = [3, 4, 5]
DECISION_THRESHOLD = 0.5


def segment_for_day(day: float) -> int:
    return round(4 * day) - 1


def probability_at_day(probabilities: Dict[int, float], culture_ended: bool, day: float) -> Optional[float]:
    target = segment_for_day(day)
    if target in probabilities:
        return probabilities[target]
    if not culture_ended:
        return None
    for s in range(target - 1, -1, -1):
        if s in probabilities:
            return probabilities[s]
    return None


def threshold_counts(scores: Sequence[float], labels: Sequence[bool], threshold: float = DECISION_THRESHOLD) -> dict:
    tp = tn = fp = fn = 0
    for score, label in zip(scores, labels):
        predicted = score >= threshold
        if label:
            tp, fn = (tp + 1, fn) if predicted else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if predicted else (fp, tn + 1)
    positives, negatives = tp + fn, tn + fp
    n = positives + negatives
    return {
        "n": n,
        "positives": positives,
        "negatives": negatives,
        "accuracy": (tp + tn) / n if n else None,
        "sensitivity": tp / positives if positives else None,
        "specificity": tn / negatives if negatives else None,
    }


def accuracy_curve_auc(accuracies: Sequence[Optional[float]]) -> Optional[float]:
    if any(a is None for a in accuracies):
        return None
    area = 0.0
    for i in range(1, len(accuracies)):
        area += (accuracies[i - 1] + accuracies[i]) / 2 * (EVALUATION_DAYS[i] - EVALUATION_DAYS[i - 1])
    return area / 7


def roc_auc(scores: Sequence[float], labels: Sequence[bool]) -> Optional[float]:
    """Mann–Whitney: share of (positive, negative) pairs ordered right, ties ½ (mid-ranks)."""
    positives = sum(1 for l in labels if l)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    order = sorted(zip(scores, labels), key=lambda p: p[0])
    rank_sum = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and order[j + 1][0] == order[i][0]:
            j += 1
        mid = (i + 1 + j + 1) / 2
        rank_sum += mid * sum(1 for k in range(i, j + 1) if order[k][1])
        i = j + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def evaluate(trajectories: List[dict]) -> dict:
    """trajectories: {"blastocyst": bool, "probabilities": {segment: p}, "cultureEnded": bool}."""

    def at_day(day: float):
        scores, labels = [], []
        for t in trajectories:
            p = probability_at_day(t["probabilities"], t.get("cultureEnded", True), day)
            if p is not None:
                scores.append(p)
                labels.append(bool(t["blastocyst"]))
        return scores, labels

    days = []
    for day in EVALUATION_DAYS:
        scores, labels = at_day(day)
        days.append({"day": day, "segment": segment_for_day(day), **threshold_counts(scores, labels)})
    roc = []
    for day in ROC_DAYS:
        scores, labels = at_day(day)
        roc.append({"day": day, "segment": segment_for_day(day), "auc": roc_auc(scores, labels)})
    blastocysts = sum(1 for t in trajectories if t["blastocyst"])
    return {
        "embryos": len(trajectories),
        "blastocysts": blastocysts,
        "notBlastocysts": len(trajectories) - blastocysts,
        "days": days,
        "accuracyAuc": accuracy_curve_auc([d["accuracy"] for d in days]),
        "roc": roc,
    }


def main() -> None:
    raw = json.load(sys.stdin)
    trajectories = [
        {
            "blastocyst": t["blastocyst"],
            "cultureEnded": t.get("cultureEnded", True),
            "probabilities": {int(k): float(v) for k, v in t["probabilities"].items()},
        }
        for t in raw
    ]
    json.dump(evaluate(trajectories), sys.stdout)


if __name__ == "__main__":
    main()
