/* Spins forever. */
int main(void)
{
    for (;;) {
    }
}
