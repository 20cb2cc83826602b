"""Small text helpers shared by retrieval (keyword search) and grounding (support check)."""
from __future__ import annotations

STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as",
     "is", "are", "was", "were", "be", "been", "being", "this", "that", "these", "those", "it", "its", "they",
     "them", "their", "there", "which", "who", "whom", "what", "when", "where", "why", "how", "not", "no", "yes",
     "do", "does", "did", "have", "has", "had", "can", "could", "should", "would", "may", "might", "must", "will",
     "shall", "than", "then", "so", "such", "also", "all", "any", "each", "per", "via", "into", "about", "over",
     "under", "between", "among", "within", "without", "i", "we", "you", "he", "she", "my", "our", "your"]
)
