// Placeholder so the store target exists before its first source lands.
namespace vigil::store {}
