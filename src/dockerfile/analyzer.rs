//! AST → typed instructions, stages and ARG scopes.
