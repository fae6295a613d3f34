"""PyTorch reference of the BD3-LM network and its model-folder tools.

network        the network (three forward modes that agree), masks, initialisation
safetensors_io .safetensors read/write with numpy and torch only
model_folder   config.json + model.safetensors + tokenizer files
"""

from .network import (NEG_INF, BD3LM, BD3LMConfig, KVCache, block_causal_mask,
                      expected_shapes, init_weights, random_state_dict, training_mask)

__all__ = ["NEG_INF", "BD3LM", "BD3LMConfig", "KVCache", "block_causal_mask",
           "expected_shapes", "init_weights", "random_state_dict", "training_mask"]
